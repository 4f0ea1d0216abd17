// The "bookworm" matrix: Debian 12's clients (certbot 2.1, lego 4.9, dehydrated 0.7.0, uacme 1.7.4, Node 20)
// against its Pebble 2.4, and the real acme.sh 3.1.5 on the host.
import { describeIssuanceMatrix } from './issuance-matrix.js';
import { BOOKWORM } from './harness/suites.js';

describeIssuanceMatrix(BOOKWORM);
