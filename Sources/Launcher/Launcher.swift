import Hummingbird
import Subprocess
public enum LauncherPlaceholder {}
