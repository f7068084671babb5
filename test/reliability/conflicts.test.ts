import { conflictSuite } from './suites/conflicts';

conflictSuite({ requests: 200 });
