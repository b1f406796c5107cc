import { render, screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import { Markdown } from './Markdown.tsx';

test('renders a model card without running anything it contains', () => {
  const { container } = render(
    <Markdown>
      {
        '# Card\n\nSome **bold** text.\n\n<script>window.pwned = true</script>\n\n<img src=x onerror="window.pwned=true">\n\n[click](javascript:alert(1)) [docs](https://example.org)\n\n![chart](https://tracker.example/pixel.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |'
      }
    </Markdown>,
  );
  expect(screen.getByRole('heading', { name: 'Card' })).toBeInTheDocument();
  expect(screen.getByText('bold').tagName).toBe('STRONG');
  expect(container.querySelector('script')).toBeNull();
  expect(container.querySelector('img')).toBeNull();
  expect(container.innerHTML).not.toContain('onerror');
  expect(screen.getByText('click').getAttribute('href') ?? '').not.toMatch(/javascript/i);
  const docs = screen.getByRole('link', { name: 'docs' });
  expect(docs).toHaveAttribute('rel', 'noopener noreferrer nofollow');
  expect(screen.getByRole('link', { name: '[image: chart]' })).toBeInTheDocument();
  expect(screen.getByRole('table')).toBeInTheDocument();
});
