import Testing

@testable import Dependencies

@Suite struct RequirementTests {
    @Test(arguments: [
        ("requests", "requests"),
        ("  Requests >= 2.31 , <3 ", "Requests>=2.31,<3"),
        ("rich[jupyter, Extra_Two]", "rich[extra-two,jupyter]"),
        ("numpy (>=1.26)", "numpy>=1.26"),
        ("cm-alpha ==1.*", "cm-alpha==1.*"),
        ("pywin32; sys_platform=='win32'", "pywin32; sys_platform == 'win32'"),
        (
            "foo>=1;(python_version<'3.12' and os_name==\"posix\") or extra not in 'x'",
            "foo>=1; (python_version < '3.12' and os_name == \"posix\") or extra not in 'x'"
        ),
        ("pkg[]", "pkg"),
    ])
    func rebuildsValidRequirements(text: String, rebuilt: String) throws {
        #expect(try Requirement(parsing: text).description == rebuilt)
    }

    @Test func normalizesTheName() throws {
        #expect(try Requirement(parsing: "Foo.Bar__baz>=1").packageName == PackageName("foo-bar-baz"))
        #expect(PackageName("Foo.Bar__baz")?.normalized == "foo-bar-baz")
        #expect(PackageName("-foo") == nil)
    }

    @Test(arguments: [
        (
            "pkg @ https://example.com/pkg.whl",
            "direct references (name @ URL) are not allowed: name a package of the index"
        ),
        ("pkg@file:///etc/passwd", "direct references (name @ URL) are not allowed: name a package of the index"),
        ("--index-url http://evil/", "it does not begin with a valid distribution name"),
        ("-r /etc/passwd", "it does not begin with a valid distribution name"),
        ("pkg==${HOME}", "the character '$' is not allowed"),
        ("pkg # comment", "the character '#' is not allowed"),
        ("pkg \\", "the character '\\' is not allowed"),
        ("pkg\n--extra-index-url=http://evil", "it contains the character U+A"),
        ("pkg>=abc", "'>=abc' is not a valid version specifier"),
        ("pkg 1.0", "'1.0' is not a valid version specifier"),
        ("pkg; bogus == '1'", "invalid environment marker: unknown marker variable 'bogus'"),
        ("pkg; python_version", "invalid environment marker: expected a comparison operator"),
        ("pkg; os_name == 'a' and", "invalid environment marker: the marker ends too early"),
        ("", "it is empty"),
        ("pkg[a b]", "'a b' is not a valid extra name"),
    ])
    func refusesAnythingButANamedRequirement(text: String, reason: String) {
        #expect(throws: RequirementError(requirement: text, reason: reason)) { try Requirement(parsing: text) }
    }

    @Test func readsTheAllowlistSetting() throws {
        let allowlist = try PackageAllowlist(setting: " Requests, rich ,,charset_normalizer ")
        #expect(allowlist.names == Set(["requests", "rich", "charset-normalizer"].compactMap(PackageName.init)))
        #expect(allowlist.refused(["rich", "numpy", "NumPy"].compactMap(PackageName.init)) == [PackageName("numpy")!])
        #expect(throws: PackageAllowlist.InvalidName(text: "bad name")) {
            try PackageAllowlist(setting: "ok, bad name")
        }
    }
}
