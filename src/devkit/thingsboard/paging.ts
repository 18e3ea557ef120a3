// PageLink parsing and PageData building, with the validation messages ThingsBoard returns.
import { badRequest } from './errors';

export type Query = Record<string, unknown>;

/** Returns a query parameter, treating an empty value as absent. */
export function queryText(query: Query, name: string): string | undefined {
  const raw = query[name];
  const value = Array.isArray(raw) ? (raw[0] as unknown) : raw;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export interface PageLink {
  pageSize: number;
  page: number;
  textSearch: string | undefined;
  sortProperty: string | undefined;
  sortOrder: 'ASC' | 'DESC';
}

function requiredInt(query: Query, name: string): number {
  const text = queryText(query, name);
  if (text === undefined) {
    throw badRequest(`Required request parameter '${name}' for method parameter type int is not present`);
  }
  if (!/^[-+]?\d+$/.test(text)) {
    throw badRequest(
      `Failed to convert value of type 'java.lang.String' to required type 'int'; For input string: "${text}"`,
    );
  }
  return Number.parseInt(text, 10);
}

export function readPageLink(query: Query): PageLink {
  const pageSize = requiredInt(query, 'pageSize');
  const page = requiredInt(query, 'page');
  if (pageSize < 1) throw badRequest(`Incorrect page link page size '${pageSize}'. Page size must be greater than zero.`);
  if (page < 0) throw badRequest(`Incorrect page link page '${page}'. Page must be positive integer.`);

  const order = queryText(query, 'sortOrder');
  if (order !== undefined && !['ASC', 'DESC'].includes(order.toUpperCase())) {
    throw badRequest(`Unsupported sort order '${order}'! Only 'ASC' or 'DESC' types are allowed.`);
  }
  return {
    pageSize,
    page,
    textSearch: queryText(query, 'textSearch'),
    sortProperty: queryText(query, 'sortProperty'),
    sortOrder: order?.toUpperCase() === 'DESC' ? 'DESC' : 'ASC',
  };
}

export interface PageData<T> {
  data: T[];
  totalPages: number;
  totalElements: number;
  hasNext: boolean;
}

/**
 * Sorts `items` by the key `sortKey` returns (or keeps their order when it returns undefined)
 * and cuts out the requested page.
 */
export function toPage<T>(items: T[], link: PageLink, sortKey: (item: T) => string | number | undefined): PageData<T> {
  const sorted = [...items];
  if (link.sortProperty !== undefined) {
    const direction = link.sortOrder === 'DESC' ? -1 : 1;
    sorted.sort((a, b) => {
      const left = sortKey(a) ?? '';
      const right = sortKey(b) ?? '';
      if (left < right) return -direction;
      if (left > right) return direction;
      return 0;
    });
  }
  const start = link.page * link.pageSize;
  const data = sorted.slice(start, start + link.pageSize);
  const totalPages = Math.ceil(sorted.length / link.pageSize);
  return { data, totalPages, totalElements: sorted.length, hasNext: start + link.pageSize < sorted.length };
}
