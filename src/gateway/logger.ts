/** The gateway's log lines: one JSON object per line on stderr, nothing per request unless it went wrong. */
export type LogFields = Record<string, unknown>;

export interface GatewayLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const line = (level: string, message: string, fields?: LogFields): string =>
  `${JSON.stringify({ time: new Date().toISOString(), level, component: 'gateway', message, ...fields })}\n`;

export const stderrLogger: GatewayLogger = {
  info: (message, fields) => process.stderr.write(line('info', message, fields)),
  warn: (message, fields) => process.stderr.write(line('warn', message, fields)),
  error: (message, fields) => process.stderr.write(line('error', message, fields)),
};

export const silentLogger: GatewayLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
