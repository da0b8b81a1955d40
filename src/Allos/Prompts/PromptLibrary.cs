namespace Allos.Prompts;

/// <summary>
/// The prompts of a project: every <c>*.prompt.md</c> under some folders, loaded and checked at once, and found by
/// reference (<c>name</c>, <c>name@3</c>, <c>name@production</c>).
/// </summary>
/// <remarks>
/// Loading fails on the first malformed file, with its path and line, and when two files claim the same name and
/// version or a label names two versions of one prompt; softer problems are in <see cref="Warnings"/>. Immutable and
/// thread-safe once loaded; load again to see changed files.
/// </remarks>
public sealed class PromptLibrary
{
    private readonly Dictionary<string, List<PromptTemplate>> _byName;

    private PromptLibrary(Dictionary<string, List<PromptTemplate>> byName, IReadOnlyList<PromptWarning> warnings, IReadOnlyList<string> folders)
    {
        _byName = byName;
        Warnings = warnings;
        Folders = folders;
    }

    /// <summary>Gets an empty library.</summary>
    public static PromptLibrary Empty { get; } = new([], [], []);

    /// <summary>Gets every version of every prompt, by name, then version.</summary>
    public IReadOnlyList<PromptTemplate> Templates => [.. _byName.OrderBy(pair => pair.Key, StringComparer.Ordinal).SelectMany(pair => pair.Value)];

    /// <summary>Gets the prompts' names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Gets what loading noticed that is probably a mistake (a required input never used).</summary>
    public IReadOnlyList<PromptWarning> Warnings { get; }

    /// <summary>Gets the folders the library was loaded from.</summary>
    public IReadOnlyList<string> Folders { get; }

    /// <summary>
    /// Gets the folders Allos looks in by default, those that exist: <c>prompts/</c> under <paramref name="workingDirectory"/>,
    /// then the user's <c>prompts/</c> in <see cref="AllosPaths.ConfigDirectory"/>.
    /// </summary>
    public static IReadOnlyList<string> DefaultFolders(string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(workingDirectory);
        string[] candidates = [Path.Combine(Path.GetFullPath(workingDirectory), "prompts"), Path.Combine(AllosPaths.ConfigDirectory, "prompts")];
        return [.. candidates.Where(Directory.Exists).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Loads a project's prompts: the <see cref="DefaultFolders"/> of <paramref name="workingDirectory"/> that exist, then
    /// <paramref name="configured"/> (<c>prompts:</c> in <c>allos.yaml</c>), which must exist.
    /// </summary>
    /// <exception cref="PromptException">A file is malformed, two files conflict, or a configured folder is missing.</exception>
    public static PromptLibrary ForProject(string workingDirectory, IEnumerable<string>? configured = null)
    {
        ArgumentNullException.ThrowIfNull(workingDirectory);
        string[] extra = [.. (configured ?? []).Select(folder => Path.GetFullPath(folder, Path.GetFullPath(workingDirectory)))];
        foreach (string folder in extra.Where(folder => !Directory.Exists(folder)))
        {
            throw new PromptException($"the prompts folder '{folder}' (prompts: in allos.yaml) does not exist; create it or remove it from the list.", file: null);
        }

        return Load([.. DefaultFolders(workingDirectory), .. extra]);
    }

    /// <summary>Loads every <c>*.prompt.md</c> under <paramref name="folders"/> (recursively).</summary>
    /// <param name="folders">Folders to read; each must exist. A folder given twice is read once.</param>
    /// <exception cref="PromptException">A file is malformed, or two files conflict; the message names the file and line.</exception>
    /// <exception cref="DirectoryNotFoundException">A folder does not exist.</exception>
    public static PromptLibrary Load(IEnumerable<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        string[] roots = [.. folders.Select(folder => Path.GetFullPath(folder)).Distinct(StringComparer.Ordinal)];
        var files = new List<string>();
        foreach (string root in roots)
        {
            if (!Directory.Exists(root))
            {
                throw new DirectoryNotFoundException($"The prompts folder '{root}' does not exist; create it or remove it from the prompts: list.");
            }

            files.AddRange(Directory.EnumerateFiles(root, "*" + PromptFileParser.Extension, new EnumerationOptions { RecurseSubdirectories = true, MatchCasing = MatchCasing.CaseInsensitive })
                .Order(StringComparer.Ordinal));
        }

        return LoadFiles(files.Distinct(StringComparer.Ordinal), roots);
    }

    /// <summary>Loads the given prompt files.</summary>
    /// <exception cref="PromptException">A file is malformed, or two files conflict; the message names the file and line.</exception>
    public static PromptLibrary LoadFiles(IEnumerable<string> files) => LoadFiles(files, []);

    /// <summary>Returns the prompt <paramref name="reference"/> names: <c>name</c> (the highest version), <c>name@3</c> or <c>name@label</c>.</summary>
    /// <exception cref="PromptException">No prompt matches; the message says what there is.</exception>
    public PromptTemplate Get(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        PromptReference parsed = PromptReference.Parse(reference);
        if (!_byName.TryGetValue(parsed.Name, out List<PromptTemplate>? versions))
        {
            string hint = KeySuggestion.Nearest(parsed.Name, _byName.Keys) is { } near ? $" Did you mean '{near}'?" : "";
            string known = _byName.Count == 0
                ? $"no prompts were found{(Folders.Count == 0 ? "" : $" in {string.Join(", ", Folders)}")} (files named NAME{PromptFileParser.Extension})"
                : $"prompts: {string.Join(", ", Names)}";
            throw new PromptException($"there is no prompt named '{parsed.Name}'; {known}.{hint}", file: null);
        }

        if (parsed.Version is int version)
        {
            return versions.FirstOrDefault(template => template.Version == version)
                ?? throw new PromptException($"prompt '{parsed.Name}' has no version {version}; versions: {string.Join(", ", versions.Select(template => template.Version))}.", file: null);
        }

        if (parsed.Label is { } label)
        {
            return versions.FirstOrDefault(template => template.Labels.Contains(label, StringComparer.Ordinal))
                ?? throw new PromptException($"no version of prompt '{parsed.Name}' has the label '{label}'; {DescribeLabels(versions)}.", file: null);
        }

        return versions[^1];
    }

    /// <summary>Returns the versions of the prompt named <paramref name="name"/>, lowest first; empty when there is none.</summary>
    public IReadOnlyList<PromptTemplate> Versions(string name) => _byName.TryGetValue(name, out List<PromptTemplate>? versions) ? versions : [];

    private static PromptLibrary LoadFiles(IEnumerable<string> files, IReadOnlyList<string> roots)
    {
        ArgumentNullException.ThrowIfNull(files);
        var warnings = new List<PromptWarning>();
        var byName = new Dictionary<string, List<PromptTemplate>>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            string path = Path.GetFullPath(file);
            PromptTemplate template = PromptFileParser.Parse(File.ReadAllText(path), path, Display(path), warnings);
            if (!byName.TryGetValue(template.Name, out List<PromptTemplate>? versions))
            {
                byName[template.Name] = versions = [];
            }

            if (versions.FirstOrDefault(other => other.Version == template.Version) is { } twin)
            {
                throw new PromptException(
                    $"prompt '{template.Name}' version {template.Version} is also defined in {Display(twin.FilePath)}:{twin.VersionLine}; give one of them another version.",
                    Display(path), template.VersionLine);
            }

            for (int i = 0; i < template.Labels.Count; i++)
            {
                string label = template.Labels[i];
                if (versions.FirstOrDefault(other => other.Labels.Contains(label, StringComparer.Ordinal)) is { } holder)
                {
                    int holderLine = holder.LabelLines[holder.Labels.ToList().IndexOf(label)];
                    throw new PromptException(
                        $"label '{label}' of prompt '{template.Name}' is already on version {holder.Version} ({Display(holder.FilePath)}:{holderLine}); a label names one version, so move it rather than copy it.",
                        Display(path), template.LabelLines[i]);
                }
            }

            versions.Add(template);
            versions.Sort((a, b) => a.Version.CompareTo(b.Version));
        }

        return new PromptLibrary(byName, warnings, roots);
    }

    private static string DescribeLabels(List<PromptTemplate> versions)
    {
        string[] labels = [.. versions.SelectMany(template => template.Labels.Select(label => $"{label} (version {template.Version})"))];
        return labels.Length == 0 ? "it has no labels" : $"labels: {string.Join(", ", labels)}";
    }

    /// <summary>A path as errors show it: relative to the current directory when it is under it.</summary>
    private static string Display(string path)
    {
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
