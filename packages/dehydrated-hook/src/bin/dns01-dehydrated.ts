import { runMain } from '@dns01/cli';
import { dehydratedMain } from '../dehydrated.js';

void runMain('dns01-dehydrated', dehydratedMain);
