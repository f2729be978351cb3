/**
 * One regular expression written as consecutive pieces, so a long expected message stays within the line width:
 * the pieces' sources are joined in order, exactly as if written as one literal (pieces take no flags).
 */
export function joinedPattern(...pieces: RegExp[]): RegExp {
    for (const piece of pieces) if (piece.flags) throw new Error(`joinedPattern pieces take no flags: ${piece}`);
    return new RegExp(pieces.map((piece) => piece.source).join(""));
}
