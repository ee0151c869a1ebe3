/* The netns backend behind the backend interface (backend.h): a test bed of three network
 * namespaces (netns.h) whose roles are quire_proc children — the simulator as `quire sim`
 * between the sim namespace's "left" and "right", each endpoint as <path>/run_endpoint in its
 * own mount and PID namespace with /www, /certs, /downloads, /logs and /etc/hosts bound in,
 * PATH and HOME from quire's environment added to the contract's. Without the simulator the
 * sim namespace forwards in the kernel and a server is ready once it has a UDP socket on its
 * port. create adopts a test bed the run's owner made (spec->adopt, a quire_netns_testbed). */
#ifndef QUIRE_BACKEND_NETNS_H
#define QUIRE_BACKEND_NETNS_H

#include "backend/backend.h"

extern const quire_backend_ops quire_backend_netns;

#endif
