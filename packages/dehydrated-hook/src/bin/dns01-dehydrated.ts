import { runExecutable } from '@dns01/cli';
import { dehydratedMain } from '../dehydrated.js';

runExecutable('dns01-dehydrated', dehydratedMain);
