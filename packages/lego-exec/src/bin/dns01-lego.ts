import { runMain } from '@dns01/cli';
import { legoMain } from '../lego.js';

await runMain('dns01-lego', legoMain);
