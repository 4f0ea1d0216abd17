import { runMain } from '@dns01/cli';
import { legoMain } from '../lego.js';

void runMain('dns01-lego', legoMain);
