/* The container backend behind the backend interface (backend.h): a test bed of two engine
 * networks, each role a container (container.h) started attached, so its CLI process is the
 * role's quire_proc — the simulator from the sim image (`quire sim` between the container's
 * two networks, the scenario in SCENARIO, its captures and ready file in the host directory
 * mounted at /logs), each endpoint from its image with the contract's environment and mounts
 * (the image has its own PATH and HOME). It always needs the simulator (nothing else routes
 * between the networks), so create refuses a test without one. spec->cfg is the
 * quire_container_cfg; spec->hosts_file is unused (the engine adds the host names). */
#ifndef QUIRE_BACKEND_CONTAINER_H
#define QUIRE_BACKEND_CONTAINER_H

#include "backend/backend.h"

extern const quire_backend_ops quire_backend_container;

#endif
