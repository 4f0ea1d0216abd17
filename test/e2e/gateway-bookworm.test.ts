// The gateway in the field, "bookworm" matrix: Debian 12's lego 4.9 and certbot 2.1, acme.sh 3.1.5 and
// acme-client under Node 20, each through `dns01 serve` against Pebble 2.4.
import { describeGatewayMatrix } from './gateway-matrix.js';
import { BOOKWORM } from './harness/suites.js';

describeGatewayMatrix(BOOKWORM);
