/** Lambda Function URL entry point: admin (placeholder until wired). */
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 501,
  body: JSON.stringify({ error: { code: 'NOT_FOUND', message: 'admin is not wired yet' } }),
});
