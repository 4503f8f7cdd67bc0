/// ConcordTesting: see DESIGN.md §1.
public enum ConcordTestingModule {}
