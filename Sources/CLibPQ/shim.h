// The one door to libpq. Only the Postgres target imports this module; everything else sees Swift types.
#ifndef NMSWEEP_CLIBPQ_SHIM_H
#define NMSWEEP_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
