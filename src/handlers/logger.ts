/** One Powertools logger per handler instance (JSON lines to stdout, as CloudWatch expects). */
import { Logger } from '@aws-lambda-powertools/logger';
import { reportInternalErrorsTo } from '../storage/errors.js';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'floe' });

export const logError = (message: string, error: unknown): void => {
  logger.error(message, error instanceof Error ? error : String(error));
};

reportInternalErrorsTo(logError);
