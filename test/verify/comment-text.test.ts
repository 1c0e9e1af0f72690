import { describe, expect, test } from 'vitest';
import { commentText } from '../../scripts/verify/comment-text.js';
import { markers } from '../../scripts/verify/markers.js';

/** Whether dark-code flags this added line of this file with the default markers. */
const flagged = (file: string, line: string): boolean => markers().find(commentText(file, line)).length > 0;

describe('markers count in comments only, by the language of the file', () => {
  test.each([
    // JavaScript and TypeScript: strings, template literals and regular expressions are code.
    ['src/cli.js', 'console.log("usage: todo add <item>");', false],
    ['test/cli.test.ts', 'expect(out).toMatch(/usage: todo/);', false],
    ['src/cli.ts', 'const url = "http://example.com/todo"; // fine', false],
    ['src/cli.ts', "const s = 'it\\'s a // todo';", false],
    ['src/cli.ts', 'const t = `${a} // TODO`;', false],
    ['src/cli.ts', 'const todo = loadTodo(); // TODO: paginate', true],
    ['src/cli.ts', 'run(); /* FIXME */ next();', true],
    ['src/cli.tsx', '<input placeholder="What needs doing?" />', false],
    ['src/cli.tsx', '<li>{todo.title}</li> {/* HACK */}', true],
    // A block comment opened on an earlier line: its decorated inner line, its closing line.
    ['src/cli.ts', ' * TODO: document the flags', true],
    ['src/cli.ts', '   handle the empty list later, XXX */ const x = 1;', true],
    ['src/cli.ts', 'const x = 1; /* done */ const todo = 2;', false],
    // Python, Ruby, shell, YAML, TOML.
    ['app/todo.py', 'print("usage: todo add <item>")', false],
    ['app/todo.py', 'items = []  # TODO: persist', true],
    ['lib/todo.rb', 'puts "todo #{name}"', false],
    ['lib/todo.rb', 'x = 1 # fixme', true],
    ['bin/todo.sh', 'echo "usage: todo add" # XXX quoting', true],
    ['bin/todo.sh', 'echo ${#todo}', false],
    ['bin/todo.sh', 'echo todo', false],
    ['config/app.yml', 'title: todo#list', false],
    ['config/app.yml', 'title: todo # hack', true],
    ['Cargo.toml', 'name = "todo" # placeholder', true],
    ['Makefile', 'todo: build # TODO: test too', true],
    ['Makefile', 'todo: build', false],
    // Go, Rust, Java, Kotlin, C, C++, C#.
    ['cmd/todo.go', 'fmt.Println(`usage: todo`) // TODO', true],
    ['cmd/todo.go', 'fmt.Println(`usage: todo`)', false],
    ['src/main.rs', "fn add<'a>(t: &'a str) {} // TODO", true],
    ['src/main.rs', 'println!("todo");', false],
    ['src/Todo.java', 'String s = "TODO"; // ok', false],
    ['src/Todo.kt', 'val todo = Todo() // hack', true],
    ['src/todo.c', 'printf("todo\\n"); /* xxx */', true],
    ['src/todo.cpp', 'auto todo = std::string("FIXME");', false],
    ['src/Todo.cs', 'var todo = "placeholder"; // deferred', true],
    // CSS, HTML, SQL, JSON.
    ['src/app.css', '.todo { color: red; } /* TODO: theme */', true],
    ['src/app.css', '.todo-placeholder { color: red; }', false],
    ['src/app.scss', '.todo { } // hack', true],
    ['public/index.html', '<h1>My todo list</h1>', false],
    ['public/index.html', '<h1>Todos</h1> <!-- TODO: logo -->', true],
    ['db/schema.sql', "INSERT INTO todo VALUES ('todo'); -- TODO: index", true],
    ['db/schema.sql', "SELECT 'placeholder' FROM todo;", false],
    ['src/app.vue', '<p>todo</p> <!-- fixme -->', true],
    ['fixtures/todo.json', '{ "todo": "TODO", "placeholder": true }', false],
    // Unknown types: the common openers count, double-quoted strings and bare words do not.
    ['scripts/run.xyz', 'run "todo" # TODO', true],
    ['scripts/run.xyz', 'run todo --placeholder', false],
    ['scripts/run.xyz', 'see http://todo.example', false],
  ] as const)('%s: %s → %s', (file, line, expected) => {
    expect(flagged(file, line)).toBe(expected);
  });
});

describe('a configured marker list', () => {
  test.each([
    [['TODO'], '// TODO: paginate', ['TODO']],
    [['TODO'], '// add the todo to the list', []],
    [['todo'], '// add the Todo to the list', ['Todo']],
    [['later', 'not-yet'], '// not-yet, later', ['not-yet', 'later']],
    [['later'], '// todo and FIXME', []],
  ] as const)('%j in %s finds %j', (words, line, expected) => {
    expect(markers(words).find(commentText('src/a.ts', line))).toEqual(expected);
  });

  test('the line filter for git and for the text uses the same words and cases', () => {
    const { lines } = markers(['TODO', 'fixme']);
    expect(lines.git).toBe('TODO|[Ff][Ii][Xx][Mm][Ee]');
    expect(lines.test('// todo')).toBe(false);
    expect(lines.test('// FixMe')).toBe(true);
  });
});
