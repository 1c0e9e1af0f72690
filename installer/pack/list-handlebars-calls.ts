import Handlebars from 'handlebars';

export type HandlebarsParam = { kind: 'string'; value: string } | { kind: 'path'; name: string } | { kind: 'other' };

/** One `{{name ...}}` or `{{#name ...}}` found in a Handlebars source. */
export interface HandlebarsCall {
  /** The helper or variable name as written (`rule`, `arg`, `release`). */
  name: string;
  /** Each parameter: a string literal, a variable path, or anything else (numbers, sub-expressions). */
  params: HandlebarsParam[];
  /** Whether it opens a block (`{{#name}}...{{/name}}`). */
  block: boolean;
  /** Hash arguments (`key=value`) are never used by the pack; their presence is reported. */
  hasHash: boolean;
  /** Partials and decorators are not supported; they are reported by kind. */
  kind: 'mustache' | 'block' | 'partial' | 'decorator' | 'subexpression';
  line: number;
}

/**
 * Lists every Handlebars call in a source, in document order. Throws Handlebars' own parse error for
 * malformed syntax; the caller turns it into a problem with the file name.
 */
export function listHandlebarsCalls(source: string): HandlebarsCall[] {
  const calls: HandlebarsCall[] = [];
  visitProgram(Handlebars.parse(source), calls);
  return calls;
}

function visitProgram(program: hbs.AST.Program, calls: HandlebarsCall[]): void {
  for (const statement of program.body) visitStatement(statement, calls);
}

function visitStatement(node: hbs.AST.Node, calls: HandlebarsCall[]): void {
  switch (node.type) {
    case 'MustacheStatement':
    case 'BlockStatement':
    case 'SubExpression': {
      const call = node as hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;
      calls.push(describeCall(call, node.type));
      for (const param of call.params) visitStatement(param, calls);
      if (node.type === 'BlockStatement') {
        const block = node as hbs.AST.BlockStatement;
        visitProgram(block.program, calls);
        if (block.inverse) visitProgram(block.inverse, calls);
      }
      return;
    }
    case 'PartialStatement':
    case 'PartialBlockStatement':
      calls.push({ name: '>', params: [], block: false, hasHash: false, kind: 'partial', line: node.loc.start.line });
      return;
    case 'Decorator':
    case 'DecoratorBlock':
      calls.push({ name: '*', params: [], block: false, hasHash: false, kind: 'decorator', line: node.loc.start.line });
      return;
    default:
      return;
  }
}

function describeCall(
  node: hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression,
  type: string,
): HandlebarsCall {
  const path = node.path as hbs.AST.PathExpression | hbs.AST.Literal;
  const name = 'original' in path ? String(path.original) : String((path as hbs.AST.StringLiteral).value);
  const params = node.params.map((param): HandlebarsParam => {
    if (param.type === 'StringLiteral') return { kind: 'string', value: (param as hbs.AST.StringLiteral).value };
    if (param.type === 'PathExpression') return { kind: 'path', name: (param as hbs.AST.PathExpression).original };
    return { kind: 'other' };
  });
  const kind = type === 'BlockStatement' ? 'block' : type === 'SubExpression' ? 'subexpression' : 'mustache';
  return {
    name,
    params,
    block: kind === 'block',
    hasHash: Boolean(node.hash && node.hash.pairs.length > 0),
    kind,
    line: node.loc.start.line,
  };
}
