using System;
using System.Text;

namespace RnnGen.Generator.Emit;

/// <summary>Writes indented C# source; <see cref="Block"/> opens a brace block closed on dispose.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public IndentedWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    public IDisposable Block(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return new Closer(this);
    }

    public void Indent() => _indent++;

    public void Outdent() => _indent--;

    public override string ToString() => _text.ToString();

    private sealed class Closer : IDisposable
    {
        private readonly IndentedWriter _writer;
        private bool _closed;

        public Closer(IndentedWriter writer) => _writer = writer;

        public void Dispose()
        {
            if (_closed) return;
            _closed = true;
            _writer._indent--;
            _writer.Line("}");
        }
    }
}
