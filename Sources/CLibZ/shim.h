// The one door to zlib. Only the StudyData target imports this module; everything else sees Swift types.
#ifndef NMSWEEP_CLIBZ_SHIM_H
#define NMSWEEP_CLIBZ_SHIM_H
#include <zlib.h>
#endif
