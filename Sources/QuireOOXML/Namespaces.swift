/// Namespace ids for Office Open XML. Transitional and Strict URIs map to the same id,
/// so readers handle both without caring which one a file uses.
package enum NS {
    package static let w: Int32 = 1
    package static let r: Int32 = 2
    package static let wp: Int32 = 3
    package static let a: Int32 = 4
    package static let m: Int32 = 5
    package static let mc: Int32 = 6
    package static let v: Int32 = 7
    package static let o: Int32 = 8
    package static let packageRelationships: Int32 = 9
    package static let coreProperties: Int32 = 10
    package static let dc: Int32 = 11
    package static let dcterms: Int32 = 12
    package static let extendedProperties: Int32 = 13
    package static let wps: Int32 = 14
    package static let contentTypes: Int32 = 15
    package static let pic: Int32 = 16
    package static let spreadsheet: Int32 = 17

    package static let table: [String: Int32] = [
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main": w,
        "http://purl.oclc.org/ooxml/wordprocessingml/main": w,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships": r,
        "http://purl.oclc.org/ooxml/officeDocument/relationships": r,
        "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing": wp,
        "http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing": wp,
        "http://schemas.openxmlformats.org/drawingml/2006/main": a,
        "http://purl.oclc.org/ooxml/drawingml/main": a,
        "http://schemas.openxmlformats.org/officeDocument/2006/math": m,
        "http://purl.oclc.org/ooxml/officeDocument/math": m,
        "http://schemas.openxmlformats.org/markup-compatibility/2006": mc,
        "urn:schemas-microsoft-com:vml": v,
        "urn:schemas-microsoft-com:office:office": o,
        "http://schemas.openxmlformats.org/package/2006/relationships": packageRelationships,
        "http://schemas.openxmlformats.org/package/2006/metadata/core-properties": coreProperties,
        "http://purl.org/dc/elements/1.1/": dc,
        "http://purl.org/dc/terms/": dcterms,
        "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties": extendedProperties,
        "http://purl.oclc.org/ooxml/officeDocument/extendedProperties": extendedProperties,
        "http://schemas.microsoft.com/office/word/2010/wordprocessingShape": wps,
        "http://schemas.openxmlformats.org/package/2006/content-types": contentTypes,
        "http://schemas.openxmlformats.org/drawingml/2006/picture": pic,
        "http://purl.oclc.org/ooxml/drawingml/picture": pic,
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main": spreadsheet,
        "http://purl.oclc.org/ooxml/spreadsheetml/main": spreadsheet,
    ]
}
