import { badInputSuite } from './suites/bad-input';

badInputSuite({ runs: Number(process.env.FUZZ_RUNS ?? 10_000) });
