import type { ServerResponse } from 'node:http';
import { errorBody } from './errorBody.js';
import type { HttpError } from './HttpError.js';
import { writeJson } from './writeJson.js';

/**
 * Answers an HttpError: its status, its headers and its error body.
 *
 * @example
 * try { route(req, res); } catch (error) { if (error instanceof HttpError) sendHttpError(res, error); }
 */
export function sendHttpError(res: ServerResponse, error: HttpError): void {
  writeJson(res, error.status, errorBody(error.code, error.message, error.details), error.headers);
}
