import { runMain } from '@dns01/cli';
import { dehydratedMain } from '../dehydrated.js';

await runMain('dns01-dehydrated', dehydratedMain);
