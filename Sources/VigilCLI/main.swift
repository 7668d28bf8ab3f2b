import VigilCore

print("vigil \(VigilBuild.version)")
