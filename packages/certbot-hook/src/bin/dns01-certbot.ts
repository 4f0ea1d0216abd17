import { runMain } from '@dns01/cli';
import { certbotMain } from '../hook.js';

// certbot shows any stderr of a successful hook as a warning: quiet unless asked.
void runMain('dns01-certbot', certbotMain, { defaultLogLevel: 'quiet' });
