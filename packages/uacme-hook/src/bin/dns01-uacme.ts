import { runMain } from '@dns01/cli';
import { uacmeMain } from '../uacme.js';

void runMain('dns01-uacme', uacmeMain);
