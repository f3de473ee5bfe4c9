public enum JobsPlaceholder {}
