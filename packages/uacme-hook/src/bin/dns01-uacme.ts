import { runExecutable } from '@dns01/cli';
import { uacmeMain } from '../uacme.js';

runExecutable('dns01-uacme', uacmeMain);
