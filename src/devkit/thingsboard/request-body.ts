// Request bodies arrive as raw text because the server registers a string parser for every
// content type. Each route then reports a bad body as ThingsBoard does: the JSON envelope for
// REST controllers, plain text for the telemetry controller, empty bodies for the device API.
import type { FastifyRequest } from 'fastify';

import { badRequest, EnvelopeError, ErrorCode } from './errors';

export function rawBody(request: FastifyRequest): string {
  return typeof request.body === 'string' ? request.body : '';
}

/** Parses a REST body as Spring's JSON converter would, with its 400 and 415 responses. */
export function readJsonBody(request: FastifyRequest): unknown {
  const contentType = request.headers['content-type'] ?? '';
  const text = rawBody(request);
  if (text.trim() === '') throw badRequest('Required request body is missing');
  if (!/json/i.test(contentType)) {
    throw new EnvelopeError(415, `Content-Type '${contentType}' is not supported`, ErrorCode.badRequestParams);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`JSON parse error: ${(error as Error).message}`);
  }
}

/** Returns the body as an object, or throws a 400 with `message`. */
export function readJsonObject(request: FastifyRequest, message = 'Invalid request body'): Record<string, unknown> {
  const body = readJsonBody(request);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(message);
  return body as Record<string, unknown>;
}
