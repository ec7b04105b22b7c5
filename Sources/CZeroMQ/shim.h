// The one door to libzmq. Only the ZeroMQ target imports this module; everything else sees Swift types.
#ifndef NMSWEEP_CZEROMQ_SHIM_H
#define NMSWEEP_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
