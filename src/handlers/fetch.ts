/** Lambda Function URL entry point: fetch (placeholder until wired). */
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 501,
  body: JSON.stringify({ error: { code: 'NOT_FOUND', message: 'fetch is not wired yet' } }),
});
