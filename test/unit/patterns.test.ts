import { joinedPattern } from "../support/patterns";

// The expected messages of config.test.ts and kind.test.ts are written in pieces; the joined expression must be the
// one literal the pieces spell, no looser.
describe("joinedPattern", () => {
    test("joins the pieces' sources in order, anchors and escapes included", () => {
        const joined = joinedPattern(/^a \(b\) /, /.*c\.d$/);
        expect(joined.source).toBe(/^a \(b\) .*c\.d$/.source);
        expect(joined.flags).toBe("");
        expect(joined.test("a (b) x c.d")).toBe(true);
        expect(joined.test("a (b) x cxd")).toBe(false);
        expect(joined.test("za (b) c.d")).toBe(false);
    });

    test("refuses a piece with flags, which the joined expression could not keep", () => {
        expect(() => joinedPattern(/a/, /b/i)).toThrow("joinedPattern pieces take no flags: /b/i");
    });
});
