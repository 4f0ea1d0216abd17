// The "current" matrix: Debian sid's clients (certbot 5.5, lego 4.35, dehydrated 0.7.2, uacme 1.8.1, acme.sh 3.1.5,
// every hook under Node 24) in the sid chroot, against sid's Pebble 2.10.
import { describeIssuanceMatrix } from './issuance-matrix.js';
import { CURRENT } from './harness/suites.js';

describeIssuanceMatrix(CURRENT);
