import { runMain } from '@dns01/cli';
import { uacmeMain } from '../uacme.js';

await runMain('dns01-uacme', uacmeMain);
