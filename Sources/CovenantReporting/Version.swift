public enum CovenantKitVersion { public static let string = "0.1.0" }
