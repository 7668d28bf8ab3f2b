/// A row of an Architect data table (`POST /api/v2/flows/datatables/{id}/rows`): a flat JSON object of
/// column → value whose `"key"` column is a required string (the row id in `…/rows/{rowId}`).
public struct DataTableRow: Codable, Sendable, Hashable {
    /// All columns, including `"key"`.
    public private(set) var columns: [String: JSONValue]

    /// The row key.
    public var key: String { columns["key"]?.stringValue ?? "" }

    /// Creates a row; `key` is stored as the `"key"` column and wins over one in `columns`.
    public init(key: String, columns: [String: JSONValue] = [:]) {
        var all = columns
        all["key"] = .string(key)
        self.columns = all
    }

    /// Reads or writes a column other than `"key"` (writes to `"key"` are ignored; use ``init(key:columns:)``).
    public subscript(column: String) -> JSONValue? {
        get { columns[column] }
        set {
            guard column != "key" else { return }
            columns[column] = newValue
        }
    }

    /// Decodes a JSON object; `key` must be present and a non-empty string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let keyKey = AnyCodingKey("key")
        guard container.contains(keyKey) else {
            throw DecodingError.keyNotFound(keyKey, .init(codingPath: container.codingPath, debugDescription: ""))
        }
        let key = try container.decode(String.self, forKey: keyKey)
        guard !key.isEmpty else { throw container.failure(.invalidValue, keyKey, "must not be empty") }
        let singleValue = try decoder.singleValueContainer()
        columns = try singleValue.decode([String: JSONValue].self)
    }

    /// Encodes the flat object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(columns)
    }
}
