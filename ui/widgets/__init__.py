"""Small reusable widgets and the look shared by the editor and its dialogs."""
