// The one door to FreeType. Only the GlyphData target imports this module; everything else sees Swift types.
#ifndef NMSWEEP_CFREETYPE_SHIM_H
#define NMSWEEP_CFREETYPE_SHIM_H
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#endif
