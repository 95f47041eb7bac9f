/**
 * The benchmark's Workday tenant in its own process: `node …/emulator-server.js N` seeds N workers,
 * prints one JSON line (the connection details), and serves until killed. `POST /__bench/change?count=K`
 * gives K workers a new title now (what a delta then reads).
 */
import { startEmulator, type EmulatorInfo } from './bench.js';

const emulator = await startEmulator(Number(process.argv[2] ?? 50_000));
const info: EmulatorInfo = { url: emulator.url, baseUrl: emulator.baseUrl, report: `${emulator.owner}/${emulator.report}`, username: emulator.isuUser, password: emulator.isuPassword };
process.stdout.write(`${JSON.stringify(info)}\n`);
