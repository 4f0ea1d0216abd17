import { runExecutable } from '@dns01/cli';
import { legoMain } from '../lego.js';

runExecutable('dns01-lego', legoMain);
