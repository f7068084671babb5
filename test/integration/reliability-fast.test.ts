// A fast subset of the reliability suites (test/reliability, `npm run test:reliability`), small
// enough for every `npm test`: the same checks at smaller sizes, the fuzzer on a fixed seed.
import { badInputSuite } from '../reliability/suites/bad-input';
import { conflictSuite } from '../reliability/suites/conflicts';
import { outageSuite } from '../reliability/suites/outage';
import { twoInstancesSuite } from '../reliability/suites/two-instances';

conflictSuite({ requests: 40 });
badInputSuite({ runs: 500, seed: 20261127 });
twoInstancesSuite({ waiting: 12, completed: 6, workers: 4 });
outageSuite({ workers: 4 });
