// The gateway in the field, "current" matrix: Debian sid's lego 4.35 and certbot 5.5, acme.sh 3.1.5 and
// acme-client under Node 24 in the sid chroot, each through `dns01 serve` against Pebble 2.10.
import { describeGatewayMatrix } from './gateway-matrix.js';
import { CURRENT } from './harness/suites.js';

describeGatewayMatrix(CURRENT);
