import { outageSuite } from './suites/outage';

outageSuite({ workers: 16 });
