// A screen's list: a note when it is empty, else a scrolling table with one header per column.
import type { ReactNode } from 'react';

interface ListTableProps {
  /** False until the first load finished, so "empty" never shows before the data arrived. */
  loaded: boolean;
  empty: boolean;
  emptyText: string;
  emptyTestId: string;
  headers: string[];
  /** The table rows. */
  children: ReactNode;
}

export function ListTable({ loaded, empty, emptyText, emptyTestId, headers, children }: ListTableProps) {
  if (loaded && empty) {
    return (
      <p className="empty" data-testid={emptyTestId}>
        {emptyText}
      </p>
    );
  }
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            {headers.map((header) => (
              <th key={header} scope="col">
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
