/** What the whole UI needs to know about its server (read-only mode, sampling interval). */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ConsoleInfo } from '../shared/api-types.js';

export const ConsoleInfoContext = createContext<ConsoleInfo>({ bootstrap: '', readOnly: true, signed: false, sampleIntervalMs: 5000 });

export const useConsoleInfo = (): ConsoleInfo => useContext(ConsoleInfoContext);
