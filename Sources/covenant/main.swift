import CovenantKit
print(CovenantKitVersion.string)
