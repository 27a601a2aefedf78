#ifndef QUIRE_CLIBXML2_SHIM_H
#define QUIRE_CLIBXML2_SHIM_H
// Debian builds libxml2 with ICU; its ICU types then clash with Foundation's
// _FoundationICU module. Quire never creates encoding handlers through ICU,
// so hide that part of the headers.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

// xmlFree is a global function-pointer variable, which Swift 6 rejects as
// not concurrency-safe; call it through a function instead.
static inline void quire_xml_free(void *pointer) {
    xmlFree(pointer);
}
#endif
