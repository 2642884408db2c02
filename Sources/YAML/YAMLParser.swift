import CYAML

/// Parses YAML text with libyaml's event API into node trees, within `limits`.
package struct YAMLParser: Sendable {
    package var limits: YAMLLimits

    package init(limits: YAMLLimits = YAMLLimits()) {
        self.limits = limits
    }

    /// Every document of a multi-document stream, in order.
    package func documents(in bytes: [UInt8]) throws(YAMLError) -> [YAMLDocument] {
        guard bytes.count <= limits.maxBytes else { throw .tooLarge(bytes: bytes.count, limit: limits.maxBytes) }
        let result = bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                return Result<[YAMLDocument], YAMLError>.failure(
                    .syntax(problem: "libyaml could not initialise", context: nil, at: YAMLMark(line: 1, column: 1)))
            }
            defer { yaml_parser_delete(&parser) }
            // libyaml keeps this pointer; it stays valid for the whole closure.
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            return Result { () throws(YAMLError) in try compose(&parser, input: buffer) }
        }
        return try result.get()
    }

    private func compose(_ parser: inout yaml_parser_t, input: UnsafeBufferPointer<UInt8>) throws(YAMLError)
        -> [YAMLDocument]
    {
        var composer = YAMLComposer(limits: limits)
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { throw parseError(parser, input: input) }
            defer { yaml_event_delete(&event) }
            let mark = YAMLMark(event.start_mark)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return composer.documents
            case YAML_DOCUMENT_START_EVENT:
                composer.startDocument()
            case YAML_DOCUMENT_END_EVENT:
                composer.endDocument(at: mark)
            case YAML_ALIAS_EVENT:
                try composer.alias(string(event.data.alias.anchor) ?? "", at: mark)
            case YAML_SCALAR_EVENT:
                let data = event.data.scalar
                let scalar = try resolve(data, at: mark)
                try composer.scalar(scalar, anchor: string(data.anchor), at: mark)
            case YAML_SEQUENCE_START_EVENT:
                let data = event.data.sequence_start
                try checkCollectionTag(string(data.tag), allowed: "tag:yaml.org,2002:seq", at: mark)
                try composer.startSequence(anchor: string(data.anchor), at: mark)
            case YAML_MAPPING_START_EVENT:
                let data = event.data.mapping_start
                try checkCollectionTag(string(data.tag), allowed: "tag:yaml.org,2002:map", at: mark)
                try composer.startMapping(anchor: string(data.anchor), at: mark)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                try composer.endCollection()
            default:
                continue
            }
        }
    }

    private func resolve(
        _ data: yaml_event_s.__Unnamed_union_data.__Unnamed_struct_scalar, at mark: YAMLMark
    ) throws(YAMLError) -> YAMLScalar {
        let text = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
        guard let tagName = string(data.tag), tagName != "!" else {
            let isPlain = data.style == YAML_PLAIN_SCALAR_STYLE
            return YAMLScalar(text: text, value: isPlain ? .resolvingPlain(text) : .string(text))
        }
        guard let tag = YAMLCoreTag(rawValue: tagName) else { throw .unsupportedTag(tagName, at: mark) }
        guard let value = YAMLScalarValue.resolving(text, tag: tag) else {
            throw .invalidTaggedScalar(text, tag: tagName, at: mark)
        }
        return YAMLScalar(text: text, value: value)
    }

    private func checkCollectionTag(_ tag: String?, allowed: String, at mark: YAMLMark) throws(YAMLError) {
        guard let tag, tag != "!", tag != allowed else { return }
        throw .unsupportedTag(tag, at: mark)
    }

    private func parseError(_ parser: yaml_parser_t, input: UnsafeBufferPointer<UInt8>) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        if parser.error == YAML_READER_ERROR {
            // Reader errors carry a byte offset, not a mark.
            return .invalidUTF8(problem: problem, at: Self.mark(ofByte: parser.problem_offset, in: input))
        }
        let context = parser.context.map { String(cString: $0) }
        return .syntax(problem: problem, context: context, at: YAMLMark(parser.problem_mark))
    }

    /// Line and column (in characters) of a byte offset; columns count UTF-8 lead bytes only.
    static func mark(ofByte offset: Int, in input: UnsafeBufferPointer<UInt8>) -> YAMLMark {
        var line = 1
        var column = 1
        for byte in input.prefix(offset) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return YAMLMark(line: line, column: column)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

extension YAMLMark {
    fileprivate init(_ mark: yaml_mark_t) {
        self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}
