// Saves text as a file through the browser's download, which works the same in Electron and in
// a browser tab without any file system access.

export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking after the click's task lets the download start before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
