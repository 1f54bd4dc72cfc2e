/** Form submission state: busy while the call runs, its error or result afterwards. */
import { useState } from 'preact/hooks';

export function useSubmit<T>() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [result, setResult] = useState<T | undefined>(undefined);
  const run = async (call: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const value = await call();
      setResult(value);
      return value;
    } catch (e) {
      setError(e as Error);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const clear = () => {
    setError(undefined);
    setResult(undefined);
  };
  return { busy, error, result, run, clear };
}
